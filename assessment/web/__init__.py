"""The web layer: one sub-package per blueprint (its views, forms and templates under
``templates/<blueprint>/``), plus the error pages and the cached benchmark figures the
pages share."""
