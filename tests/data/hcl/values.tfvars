env = "prod"
list = [1, 2]
m = { a = "b" }
