from django import forms
from django.utils.translation import gettext_lazy as _

from customers.choices import DecisionKind
from webhooks.models import WebhookSubscriber
from webhooks.policies import url_refusal


class SubscriberForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(label=_("kinds"), choices=DecisionKind.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple,
                                      help_text=_("The event kinds sent; none ticked: all of them."))

    class Meta:
        model = WebhookSubscriber
        fields = ["name", "url", "secret", "kinds", "active"]
        widgets = {"secret": forms.PasswordInput(render_value=True)}

    def clean_url(self):
        url = self.cleaned_data["url"]
        if refusal := url_refusal(url):
            raise forms.ValidationError(refusal, code="url")
        return url

    def clean_secret(self):
        secret = self.cleaned_data["secret"]
        if len(secret) < 16:
            raise forms.ValidationError(_("The signing secret has at least 16 characters."), code="short_secret")
        return secret


class ReplayForm(forms.Form):
    after = forms.IntegerField(label=_("Replay events after cursor"), min_value=0, max_value=2**62, initial=0)
