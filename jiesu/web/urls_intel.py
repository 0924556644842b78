"""Pages of text intelligence (jiesu.intel): ticket panels, lexicon, hotspots and alerts."""

from __future__ import annotations

from django.urls import URLPattern, path

from jiesu.web.views import intel_hotspots, intel_links, intel_reply_check, intel_sensitive, intel_suggestions

urlpatterns: list[URLPattern] = [
    path("tickets/<str:number>/links/", intel_links.ticket_links, name="ticket_links"),
    path("intel/links/<int:link_id>/dismiss", intel_links.intel_link_dismiss, name="intel_link_dismiss"),
    path("intel/links/<int:link_id>/merge", intel_links.intel_link_merge, name="intel_link_merge"),
    path(
        "tickets/<str:number>/reply-check/",
        intel_reply_check.ticket_reply_check_section,
        name="ticket_reply_check",
    ),
    path("intel/lexicon/", intel_sensitive.lexicon_page, name="intel_lexicon"),
    path("intel/lexicon/try", intel_sensitive.lexicon_try, name="intel_lexicon_try"),
    path("tickets/<str:number>/sensitive/", intel_sensitive.ticket_sensitive, name="ticket_sensitive"),
    path("tickets/<str:number>/remit/", intel_sensitive.ticket_remit, name="ticket_remit"),
    path("intel/hotspots/", intel_hotspots.hotspots_page, name="intel_hotspots"),
    path("intel/alerts/", intel_hotspots.alerts_page, name="intel_alerts"),
    path("intel/alerts/<int:pk>/draft", intel_hotspots.alert_draft, name="intel_alert_draft"),
    path("intel/alerts/<int:pk>/<str:action>", intel_hotspots.alert_handle, name="intel_alert_handle"),
    path("tickets/<str:number>/suggestions/", intel_suggestions.ticket_suggestions, name="ticket_suggestions"),
    path("intel/models/", intel_suggestions.models_page, name="intel_models"),
    path("intel/models/<int:version>/activate", intel_suggestions.model_activate_view, name="intel_model_activate"),
]
