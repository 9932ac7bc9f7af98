from decimal import Decimal


def order_value(order):
    value = Decimal(0)
    for line in order.items:
        value += line.price * line.qty
    return value


def describe_line(line):
    return f"{line.qty} x {line.product.name}"


def vat(amount, rate=Decimal("0.2")):
    return amount * rate
