from django.contrib import admin

from arrears.models import Bill, Payment


@admin.register(Bill)
class BillAdmin(admin.ModelAdmin):
    list_display = ["line", "period", "amount", "paid_amount", "due_date"]
    raw_id_fields = ["line", "customer"]
    show_full_result_count = False


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["reference", "line", "amount", "paid_at", "channel"]
    raw_id_fields = ["line", "customer"]
    search_fields = ["=reference"]
    show_full_result_count = False
