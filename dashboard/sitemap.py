"""Every page of the app in one place: the router, the README's table and the tests all read this list."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageEntry:
    """One page: its file (relative to app.py), its title (also its heading and link text), its icon."""

    path: str
    title: str
    icon: str
    section: str
    """Navigation group: 'Family', 'You' or 'Learn'; '' for the sign-in page, which is never listed."""
    admin_only: bool = False
    """Listed for admins only; the page itself refuses anyone else as well."""
    figures: bool = False
    """A family page that opens with shared figures and offers the Ask-a-question panel."""

    @property
    def slug(self) -> str:
        """The page's name in file names (screenshots): its title in lower case, dashes for spaces.

        >>> OVERVIEW.slug
        'overview'
        """
        return self.title.lower().replace(" ", "-")


SIGN_IN = PageEntry("views/sign_in.py", "Sign in", ":material/login:", "")
OVERVIEW = PageEntry("views/overview.py", "Overview", ":material/home:", "Family", figures=True)
TRENDS = PageEntry("views/trends.py", "Trends", ":material/show_chart:", "Family", figures=True)
GOALS = PageEntry("views/goals.py", "Goals", ":material/flag:", "Family", figures=True)
DISTRIBUTION = PageEntry(
    "views/distribution.py", "Distribution", ":material/bar_chart:", "Family", figures=True
)
PATTERNS = PageEntry("views/patterns.py", "Patterns", ":material/calendar_view_week:", "Family", figures=True)
MY_DATA = PageEntry("views/my_data.py", "My data", ":material/person:", "You")
BUDGET = PageEntry("views/budget.py", "Privacy budget", ":material/calendar_month:", "You")
PLAN = PageEntry("views/family_plan.py", "Family plan", ":material/tune:", "You", admin_only=True)
IMPORT = PageEntry("views/import_data.py", "Import", ":material/upload_file:", "You")
ACCOUNT = PageEntry("views/account.py", "Account", ":material/manage_accounts:", "You")
LAB = PageEntry("views/tradeoff.py", "Privacy vs accuracy", ":material/science:", "Learn")
"""Made-up families only and no budget: reachable signed out too, but only on a demo or synthetic store."""

PAGES = (OVERVIEW, TRENDS, GOALS, DISTRIBUTION, PATTERNS, MY_DATA, BUDGET, PLAN, IMPORT, ACCOUNT, LAB)
"""Every page a signed-in member may reach, in navigation order (the sign-in page apart)."""


def sections(admin: bool) -> dict[str, tuple[PageEntry, ...]]:
    """The navigation groups a viewer sees: the plan page only for admins.

    >>> [p.title for p in sections(admin=False)["You"]]
    ['My data', 'Privacy budget', 'Import', 'Account']
    """
    grouped: dict[str, tuple[PageEntry, ...]] = {}
    for page in PAGES:
        if admin or not page.admin_only:
            grouped[page.section] = (*grouped.get(page.section, ()), page)
    return grouped
