"""The holiday arrangements a newly published notice adds (core.calendar reads them over the
chinesecalendar package's, day by day)."""

from django.contrib import admin

from .models import CalendarDay, CalendarYear


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 10
    fields = ["day", "working", "name"]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "notice", "entered_at"]
    inlines = [CalendarDayInline]
