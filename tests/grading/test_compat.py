"""The one nbgrader patch runs only on the version it was checked on (koreathaw_grading.compat)."""

from __future__ import annotations

import pytest

from koreathaw_grading import compat


def test_installed_nbgrader_is_a_tested_version():
    """Fails loudly when nbgrader is upgraded: check every patch in compat.TESTED on the new version, then add it."""
    installed = compat.nbgrader_version()
    untested = [patch for patch, versions in compat.TESTED.items() if installed not in versions]
    assert untested == [], f"nbgrader {installed} is not the version these patches were written for: {untested}"


def test_guarded_refuses_an_untested_version_with_a_warning():
    """On another nbgrader version the patch is skipped, and says so."""
    with pytest.warns(UserWarning, match="not patching nbgrader's Validator.validate on nbgrader 9.9.9"):
        assert compat.guarded("Validator.validate", installed="9.9.9") is False
    assert compat.guarded("Validator.validate", installed=compat.TESTED["Validator.validate"][0]) is True


def test_validator_patch_is_installed_once():
    """install_validator_check marks nbgrader's Validator.validate and does not wrap it twice."""
    from nbgrader.validator import Validator

    from koreathaw_grading.nbext import install_validator_check

    install_validator_check(None)
    first = Validator.validate
    install_validator_check(None)
    assert Validator.validate is first and getattr(first, "_koreathaw", False)
