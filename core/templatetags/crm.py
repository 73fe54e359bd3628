from django import template

from core.masking import mask_address, mask_id_number

register = template.Library()
register.filter("mask_id", mask_id_number)
register.filter("mask_address", mask_address)
