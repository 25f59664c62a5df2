"""One staff member: profile, certificates (expired ones flagged; dispatch does not use them),
trainings, edit (marking someone as left ends their login and frees their future work), history."""

from core.services.staff import staff
from ui.context import t
from ui.entity_pages import detail_page
from ui.staff_profile import certificates_tab, trainings_tab

detail_page(staff, back="staff", extra_tabs={t("Certificates"): certificates_tab, t("Trainings"): trainings_tab})
