"""One catalogue service. A new price applies to orders taken from now on; existing orders keep theirs.
Its materials per unit are what a job of it proposes to take from stock."""

from core.services.catalogue import catalogue
from ui.entity_pages import detail_page
from ui.service_materials import materials_tab

detail_page(catalogue, back="catalogue", extra_tabs={"Materials": materials_tab})
