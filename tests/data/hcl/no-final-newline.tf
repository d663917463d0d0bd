locals {
  a = 1
}
# end without newline