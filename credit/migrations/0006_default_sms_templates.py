from django.db import migrations

TEMPLATES = {
    "star_assigned": "【中国移动】尊敬的{name}，您已获评{star}星级信用客户，信用额度{limit}元，可享受相应星级服务。",
    "star_changed": "【中国移动】尊敬的{name}，您的信用星级由{old_star}星调整为{star}星，当前信用额度{limit}元。",
    "limit_changed": "【中国移动】尊敬的{name}，您的信用额度已调整为{limit}元。",
    "low_credit": "【中国移动】尊敬的{name}，您的可用额度仅剩{amount}元，请及时缴费以免影响使用。",
    "arrears_reminder": "【中国移动】尊敬的{name}，您已欠费{amount}元，请尽快缴费。",
    "barring_warning": "【中国移动】尊敬的{name}，您的账户已欠费{amount}元，{days}天后将停机，请及时缴费。",
    "barred": "【中国移动】尊敬的{name}，因欠费{amount}元，您的号码已停机，缴清欠费即可恢复。",
    "restored": "【中国移动】尊敬的{name}，您已缴费成功，号码已恢复正常使用。",
    "retention_deadline": "【中国移动】尊敬的{name}，您的号码保号期将于{date}到期，逾期将被销号，请尽快缴清欠费。",
    "emergency_granted": "【中国移动】尊敬的{name}，您的紧急不停机申请已开通，有效期{days}天，透支上限{amount}元。",
}


def create(apps, schema_editor):
    SmsTemplate = apps.get_model("credit", "SmsTemplate")
    for event, body in TEMPLATES.items():
        SmsTemplate.objects.get_or_create(event=event, defaults={"body": body})


class Migration(migrations.Migration):
    dependencies = [("credit", "0005_touchpoint_sms")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
