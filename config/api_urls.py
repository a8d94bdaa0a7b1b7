from django.urls import path
from rest_framework.authtoken.views import ObtainAuthToken

from agencies.api import AgencyList, RegionList
from cases.api import views as cases
from cases.api.serializers import CASE_ACTION_INPUTS, TakedownBlockInput, TakedownRefuseInput

urlpatterns = [
    path("auth/token/", ObtainAuthToken.as_view(), name="api-token"),
    path("regions/", RegionList.as_view(), name="api-regions"),
    path("agencies/", AgencyList.as_view(), name="api-agencies"),
    path("cases/", cases.CaseListCreate.as_view(), name="api-cases"),
    path("cases/<int:pk>/", cases.CaseDetail.as_view(), name="api-case"),
    path("cases/<int:pk>/events/", cases.CaseEvents.as_view(), name="api-case-events"),
    *[
        path(
            f"cases/<int:pk>/actions/{name}/",
            cases.CaseAction.as_view(action_name=name, serializer_class=serializer),
            name=f"api-case-{name}",
        )
        for name, (serializer, _run) in CASE_ACTION_INPUTS.items()
    ],
    path("cases/<int:pk>/actions/<str:name>/", cases.UnknownAction.as_view()),
    path("takedowns/", cases.TakedownList.as_view(), name="api-takedowns"),
    path("takedowns/<int:pk>/", cases.TakedownDetail.as_view(), name="api-takedown"),
    path(
        "takedowns/<int:pk>/actions/block/",
        cases.TakedownAction.as_view(action_name="block", serializer_class=TakedownBlockInput),
        name="api-takedown-block",
    ),
    path(
        "takedowns/<int:pk>/actions/refuse/",
        cases.TakedownAction.as_view(action_name="refuse", serializer_class=TakedownRefuseInput),
        name="api-takedown-refuse",
    ),
]
