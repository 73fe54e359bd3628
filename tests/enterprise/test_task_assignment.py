"""A task goes only to someone whose scope includes its account: the assignee must be able to see what they are
asked to do. The rule sits in the task service, so the page, the API and anything else that assigns agree."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.scope import customer_scope_q
from enterprise import services
from enterprise.models import EnterpriseAccount, Task
from enterprise.selectors import task_list
from tests.enterprise.conftest import TODAY

pytestmark = pytest.mark.django_db


def test_a_lead_cannot_give_a_task_to_a_manager_who_cannot_see_the_account(ent):
    for outsider in (ent.am3, ent.am2):  # another team's manager; a teammate who does not hold the account
        with pytest.raises(ValidationError) as err:
            services.task_create(account=ent.acc1, title="走访", due_date=TODAY, assigned_by=ent.lead_a1,
                                 assigned_to=outsider)
        assert err.value.error_dict["assigned_to"][0].code == "out_of_scope"
    assert not Task.objects.exists()


def test_the_accounts_manager_and_their_lead_can_be_given_the_task_and_then_see_it(ent):
    for assignee in (ent.am1, ent.lead_a1):
        task = services.task_create(account=ent.acc1, title="走访", due_date=TODAY, assigned_by=ent.lead_a1,
                                    assigned_to=assignee)
        assert task_list(user=assignee).filter(pk=task.pk).exists()


def test_the_task_page_offers_and_accepts_only_assignees_who_see_the_account(client, ent):
    client.force_login(ent.lead_a1)
    url = reverse("enterprise:task-create", args=[ent.acc1.pk])
    choices = set(client.get(url).context["form"].fields["assigned_to"].queryset)
    assert choices == {ent.am1, ent.lead_a1}
    response = client.post(url, {"title": "走访", "due_date": TODAY.isoformat(), "priority": 2,
                                 "assigned_to": ent.am3.pk})
    assert response.status_code == 200 and "assigned_to" in response.context["form"].errors
    assert not Task.objects.exists()


def test_scope_holders_are_exactly_the_users_whose_scope_includes_the_account(ent):
    users = [ent.am1, ent.am2, ent.am3, ent.am4, ent.lead_a1, ent.regional_a, ent.credit_officer, ent.admin,
             ent.marketing, ent.nobody]
    from django.contrib.auth import get_user_model

    from core.scope import scope_holders_q

    for account in EnterpriseAccount.objects.select_related("account_manager__staff_profile"):
        seeing = {u for u in users if EnterpriseAccount.objects.filter(customer_scope_q(u), pk=account.pk).exists()}
        holders = set(get_user_model().objects.filter(scope_holders_q(account), pk__in=[u.pk for u in users]))
        assert holders == seeing, account.name
