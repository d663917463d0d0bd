a = 1e3
b = [1E+3, 2e-3, -4e2]
c = { x = 5e10 }
d = "1e3 ${var.x1e3}"
