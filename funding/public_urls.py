"""The public grants pages, under the public register (/register/grants/). PLACEHOLDER: being written."""

app_name = "grants"

urlpatterns: list = []
