resource "aws_iam_role" "r" {
  in = 1
  for_each = var.x
  provider = aws.east
  depends_on = [aws_iam_role.r, module.m.x]
  p = (((1)))
  t = true ? 1 : 2
  k = { null = 1, true = 2 }
  a_splat = var.list.*.id[0]
  heredoc_call = jsonencode(<<EOT
{"a": "${var.x}"}
EOT
  )
  only_dir = "%{if var.a}x%{endif}"
  esc_dollar = "\\${notinterp}"
  nested_q = "${var.a == "x" ? "y" : "z"}"
  h_for = <<-EOT
    %{ for k, v in var.m ~}
    ${k}=${v}
    %{ endfor ~}
  EOT
  h_marker = <<EOT
EOTX
 EOT2
EOT
  multi = [
    for x in var.list :
    x.name
    if x.enabled
  ]
  obj_nl = {
    a = 1

    # comment
    b = "2" # tail
  }
  cond_tail = var.a == 1 ? "a" : "b" # comment
  bin_tail = var.a + var.b
  # a comment line after a binary op

  bin_block = var.a || var.b /* block */
  last = 1
}
unquoted label {
  x = 1
}
