"""Members' choices over HTTP and on their page (issue 20, item 1), and pushing a change
into the member's live class at once. The service is :mod:`api.privacy.consent`; this
package sits above classes, live and plans (which honour the choices), and nothing but
``api.main`` imports it."""
