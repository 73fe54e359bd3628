from django.urls import path

from marketing import views

app_name = "marketing"
urlpatterns = [
    path("campaigns/", views.CampaignListView.as_view(), name="campaigns"),
    path("campaigns/new/", views.CampaignEditView.as_view(), name="campaign-create"),
    path("campaigns/segment-count/", views.SegmentCountView.as_view(), name="segment-count"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign"),
    path("campaigns/<int:pk>/edit/", views.CampaignEditView.as_view(), name="campaign-edit"),
    path("campaigns/<int:pk>/transition/", views.CampaignTransitionView.as_view(), name="campaign-transition"),
    path("campaigns/<int:pk>/review/", views.CampaignReviewView.as_view(), name="campaign-review"),
    path("campaigns/<int:pk>/results/", views.CampaignResultsView.as_view(), name="campaign-results"),
    path("campaigns/<int:pk>/members/", views.CampaignMembersView.as_view(), name="campaign-members"),
    path("campaigns/<int:pk>/segment.csv", views.SegmentExportView.as_view(), name="campaign-export"),
]
