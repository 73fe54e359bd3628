from django.dispatch import Signal

# A campaign was submitted for review (after commit): its segment's figures are counted (marketing.tasks).
campaign_submitted = Signal()  # campaign_id
