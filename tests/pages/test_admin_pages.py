"""The administration pages (users, audit log, permissions) and everyone's profile page."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core import auth
from core.actor import SYSTEM
from core.errors import LoginRefused
from core.permissions import ROLES
from core.services import users
from tests.factories import PASSWORD, make_user
from tests.pages.conftest import log_in, message_under, open_app, texts, widget

NEW = "users.new"


def by_key(items, key: str):
    found = [item for item in items if item.key == key]
    assert found, f"no widget with key {key!r}"
    return found[0]


def usernames() -> list[str]:
    return sorted(row["username"] for row in users.search_users(actor=SYSTEM, page_size=100).rows)


def users_page(app) -> AppTest:
    return app("admin", username="boss").switch_page("pages/admin/users.py").run()


def user_page(app, user_id: int) -> AppTest:
    at = app("admin", username="boss")
    at.query_params["id"] = str(user_id)
    return at.switch_page("pages/admin/user.py").run()


def fill_new_user(at: AppTest, *, username: str, password: str) -> AppTest:
    by_key(at.text_input, f"{NEW}.username").input(username)
    by_key(at.text_input, f"{NEW}.display_name").input("Wang Fang")
    by_key(at.multiselect, f"{NEW}.roles").set_value(["clerk"])
    by_key(at.selectbox, f"{NEW}.language").set_value("en")
    by_key(at.text_input, f"{NEW}.password").input(password)
    widget(at.button, "Create user").click()
    return at.run()


class TestUsersPage:
    def test_the_list_shows_every_account(self, app):
        make_user("other", "clerk")
        at = users_page(app)
        assert sorted(at.dataframe[0].value["Username"]) == ["boss", "other"]

    def test_an_admin_creates_a_user_who_can_then_log_in(self, app):
        at = fill_new_user(users_page(app), username="wangfang", password="first-pass-11")
        assert "Created wangfang." in [s.value for s in at.success]
        assert usernames() == ["boss", "wangfang"]
        created = auth.log_in("wangfang", "first-pass-11").actor
        assert created.roles == frozenset({"clerk"}) and created.display_name == "Wang Fang"

    def test_a_bad_username_and_a_short_password_are_refused_next_to_their_fields(self, app):
        at = fill_new_user(users_page(app), username="Bad Name!", password="short")
        assert message_under(at, f"{NEW}.username") == (
            "3 to 32 lowercase letters, digits, dots, dashes or underscores."
        )
        assert message_under(at, f"{NEW}.password") == "Use at least 8 characters."
        assert by_key(at.text_input, f"{NEW}.display_name").value == "Wang Fang"
        assert usernames() == ["boss"]

    def test_a_taken_username_is_refused(self, app):
        make_user("wangfang", "clerk")
        at = fill_new_user(users_page(app), username="wangfang", password="first-pass-11")
        assert message_under(at, f"{NEW}.username") == "This username is taken."
        assert usernames() == ["boss", "wangfang"]


class TestUserPage:
    def test_an_admin_changes_a_users_roles(self, app):
        other = make_user("other", "clerk")
        at = user_page(app, other.user_id)
        edit = f"users.edit.{other.user_id}"
        by_key(at.multiselect, f"{edit}.roles").set_value(["analyst", "manager"])
        widget(at.button, "Save changes").click()
        at.run()
        assert users.get_user(actor=SYSTEM, user_id=other.user_id)["roles"] == {"analyst", "manager"}
        assert "Saved." in [s.value for s in at.success]

    def test_an_admin_disables_and_enables_an_account(self, app):
        other = make_user("other", "clerk")
        at = user_page(app, other.user_id)
        widget(at.button, "Disable account").click()
        at.run()
        assert users.get_user(actor=SYSTEM, user_id=other.user_id)["active"] is False
        assert "This account is disabled: it cannot log in." in [w.value for w in at.warning]
        with pytest.raises(LoginRefused):
            auth.log_in("other", PASSWORD)
        widget(at.button, "Enable account").click()
        at.run()
        assert users.get_user(actor=SYSTEM, user_id=other.user_id)["active"] is True
        assert auth.log_in("other", PASSWORD).actor.username == "other"

    def test_an_admin_cannot_disable_their_own_account(self, app):
        at = app("admin", username="boss")
        boss = users.search_users(actor=SYSTEM, query="boss").rows[0]
        at.query_params["id"] = str(boss["id"])
        at.switch_page("pages/admin/user.py").run()
        widget(at.button, "Disable account").click()
        at.run()
        assert "You cannot disable your own account." in [e.value for e in at.error]
        assert users.get_user(actor=SYSTEM, user_id=boss["id"])["active"] is True

    def test_an_admin_resets_a_password_and_the_old_one_stops_working(self, app):
        other = make_user("other", "clerk")
        old_session = auth.log_in("other", PASSWORD).token
        at = user_page(app, other.user_id)
        widget(at.text_input, "New password").input("reset-pass-77")
        widget(at.button, "Reset password").click()
        at.run()
        assert "Password reset. Their open sessions have ended." in [s.value for s in at.success]
        assert auth.log_in("other", "reset-pass-77").actor.username == "other"
        with pytest.raises(LoginRefused):
            auth.log_in("other", PASSWORD)
        with pytest.raises(Exception, match="session has ended"):
            auth.resume(old_session)

    def test_a_too_short_reset_password_is_refused(self, app):
        other = make_user("other", "clerk")
        at = user_page(app, other.user_id)
        widget(at.text_input, "New password").input("short")
        widget(at.button, "Reset password").click()
        at.run()
        assert "Use at least 8 characters." in [e.value for e in at.error]
        assert auth.log_in("other", PASSWORD).actor.username == "other"


class TestAuditLogPage:
    def test_the_log_lists_entries_and_filters_by_action(self, app):
        make_user("other", "clerk")
        with pytest.raises(LoginRefused):
            auth.log_in("other", "wrong-password")
        at = app("admin", username="boss").switch_page("pages/admin/audit_log.py").run()
        listed = at.dataframe[0].value
        assert {"created", "logged in", "failed login"} <= set(listed["Action"])
        by_key(at.selectbox, "audit.list.action").set_value("login_failed")
        at.run()
        filtered = at.dataframe[0].value
        assert list(filtered["Action"]) == ["failed login"]
        assert list(filtered["Record id"]) == ["other"]

    def test_the_log_offers_no_way_to_change_an_entry(self, app):
        at = app("admin", username="boss").switch_page("pages/admin/audit_log.py").run()
        assert {b.label for b in at.button} <= {"‹", "›", "Log out"}
        assert not at.data_editor


class TestPermissionsPage:
    def test_the_matrix_has_one_column_per_role(self, app):
        at = app("admin", username="boss").switch_page("pages/admin/permissions.py").run()
        frame = at.dataframe[0].value
        assert list(frame.columns) == ["Module", "Action", *(label.en for label in ROLES.values())]
        customers_delete = frame[(frame["Module"] == "customers") & (frame["Action"] == "delete")].iloc[0]
        assert customers_delete["Manager"] == "✓" and customers_delete["Clerk"] == ""


def profile_page(app, *roles: str) -> AppTest:
    at = app(*roles).switch_page("pages/account/profile.py").run()
    assert not at.exception, "the profile page crashed; its traceback is in the captured log"
    return at


def change_password(at: AppTest, current: str, new: str, again: str | None = None) -> AppTest:
    widget(at.text_input, "Current password").input(current)
    widget(at.text_input, "New password").input(new)
    widget(at.text_input, "New password again").input(new if again is None else again)
    widget(at.button, "Change password").click()
    return at.run()


class TestProfilePage:
    @pytest.mark.parametrize("role", sorted(ROLES))
    def test_every_role_opens_the_profile_page(self, app, role):
        at = profile_page(app, role)
        assert at.title[0].value == "My profile"
        assert widget(at.text_input, "Current password")

    def test_a_user_changes_their_password_and_stays_logged_in(self, app):
        at = change_password(profile_page(app, "technician"), PASSWORD, "new-secret-55")
        assert "Password changed. Your other sessions have ended." in [s.value for s in at.success]
        assert auth.log_in("technician_user", "new-secret-55").actor.username == "technician_user"
        at.run()
        assert at.title[0].value == "My profile"

    def test_a_wrong_current_password_is_refused(self, app):
        at = change_password(profile_page(app, "clerk"), "not-my-password", "new-secret-55")
        assert "This is not your current password." in [e.value for e in at.error]
        assert auth.log_in("clerk_user", PASSWORD).actor.username == "clerk_user"

    def test_two_different_new_passwords_are_refused(self, app):
        at = change_password(profile_page(app, "clerk"), PASSWORD, "new-secret-55", again="new-secret-56")
        assert "The two new passwords differ." in [e.value for e in at.error]
        assert auth.log_in("clerk_user", PASSWORD).actor.username == "clerk_user"

    def test_choosing_chinese_on_the_profile_page_translates_it_and_is_kept(self, app):
        at = profile_page(app, "analyst")
        by_key(at.segmented_control, "profile.language").set_value("zh")
        at.run()
        assert at.title[0].value == "个人资料"
        assert "修改密码" in [s.value for s in at.subheader]
        assert (
            users.get_user(actor=SYSTEM, user_id=auth.log_in("analyst_user", PASSWORD).actor.user_id)["language"]
            == "zh"
        )


class TestLanguageSwitch:
    def test_choosing_chinese_in_the_sidebar_translates_the_pages(self, app):
        at = app("clerk")
        by_key(at.sidebar.segmented_control, "opsdesk.language_choice").set_value("zh")
        at.run()
        assert at.title[0].value == "欢迎，Clerk\\_User"
        assert [b.label for b in at.sidebar.button] == ["退出登录"]
        at.switch_page("pages/customers/list.py").run()
        assert at.title[0].value == "客户"

    def test_the_chosen_language_is_kept_for_the_next_login(self, app):
        at = app("clerk")
        by_key(at.sidebar.segmented_control, "opsdesk.language_choice").set_value("zh")
        at.run()
        assert auth.log_in("clerk_user", PASSWORD).actor.language == "zh"
        again = log_in(open_app(), "clerk_user")
        assert again.title[0].value == "欢迎，Clerk\\_User"
        assert "Welcome" not in texts(again)
