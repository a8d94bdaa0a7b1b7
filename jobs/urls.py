from django.urls import path

from . import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/result/", views.job_result, name="result"),
    path("<int:pk>/rejected.csv", views.job_rejected, name="rejected"),
]
