# comment
// another
/* block
   comment */
resource "aws_lambda_function" "f" {
  function_name = "fn-${var.env}-${local.suffix}" # trailing
  handler       = "app.handler"
  runtime       = var.runtime != null ? var.runtime : "python3.12"
  role          = aws_iam_role.r[0].arn
  timeout       = 30
  memory_size   = 1024.0
  big           = 123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890
  exp           = 1.5e3
  neg           = -5
  negf          = -1.5
  notx          = !var.enabled
  tags          = merge(local.tags, { Name = "x", "quoted key" = 1, 2 = "two", (var.k) = "v", a.b = 1 })
  splat         = aws_subnet.s[*].id
  splat2        = aws_subnet.s.*.id
  splat3        = var.m[*].a.b[0]
  forl          = [for s in var.list : upper(s) if s != ""]
  form          = { for k, v in var.map : k => v... if v != null }
  idx           = var.list[var.i].x
  idx2          = var.m["key"].y
  idx3          = var.m[true]
  idx4          = var.l[1.5]
  legacy        = var.l.0.name
  paren         = (var.a).b
  paren2        = (var.a + 1) * 2
  cond_nl       = var.a ? (
    "x"
  ) : "y"
  s_esc         = "quote \" backslash \\ tab \t uni \u00e9 \U0001F600 dollar $${not} pct %%{not} $ % end"
  s_dir         = "a %{ if var.x }b%{ else }c%{ endif } d"
  s_for         = "%{ for x in var.l }${x},%{ endfor }"
  s_empty       = ""
  s_nested      = "${jsonencode({ a = "${var.b}" })}"
  s_only        = "${var.x}"
  unicode       = "héllo ${var.name} ñ"
  call_prov     = provider::aws::arn_parse(var.arn)
  call_exp      = concat(var.a, var.b...)
  call_empty    = timestamp()
  call_nl       = lookup(
    var.m,  # c
    "k",
    null,
  )
  tuple         = [1, "two", true, null, [3], { a = 1 }, ]
  tuple_nl      = [
    1, # one
    2
  ]
  obj_colon     = { a: 1, "b": 2 }
  obj_commas    = { a = 1, b = 2, }
  h1 = <<EOT
line one ${var.x}
  two
EOT
  h2 = <<-EOT
    indented
      more ${var.y}
    %{ if true }d%{ endif }
    EOT
  h3 = <<EOT
EOT
  h4 = <<EOF
  h4 = <<EOF
$${literal} ok
EOF
  expr_ops = var.a + var.b * var.c - var.d / 2 % 3 == 4 && var.e || var.f >= 1
  expr_cmp = length(var.list) > 0 # trailing comment

  dynamic "environment" {
    for_each = var.env != null ? [1] : []
    content {
      variables = var.env
    }
  }
  environment {
    variables = {
      A = "1"
      B = local.b
    }
  }
  environment {
    variables = {}
  }
  lifecycle {}
}

data "aws_iam_policy_document" "p" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.b.arn}/*"]
  }
}

variable "v" {
  type      = map(object({ a = string, b = optional(number, 1) }))
  default   = { a = { a = "x" } }
  sensitive = true
}

variable "nodefault" {}

locals {
  a = 1
  b = local.a
  c = [for i in range(3) : i * 2]
  d = { for i, v in var.x : i => v }
  e = try(var.x.y, null)
  f = can(regex("^a", var.s)) ? "y" : "n"
}

module "m" {
  source = "terraform-aws-modules/lambda/aws"
  version = "~> 7.0"
  for_each = toset(["a", "b"])
  function_name = each.key
}

resource "aws_lambda_function" "gone" {
  count = 0
}
resource "x" "y" { count = var.n }
