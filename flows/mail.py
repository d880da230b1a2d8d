"""The environment mail is sent with: the SMTP password from its variable or a Prefect Secret block."""

from __future__ import annotations

import os

from scs_refresh.mail.dispatch import DeliverySettings

#: A Prefect Secret block that may hold the SMTP password instead of the environment variable.
PASSWORD_BLOCK = "scs-smtp-password"


def mail_env(settings: DeliverySettings) -> dict[str, str]:
    """The environment, plus the SMTP password from the Secret block if the variable is not set."""
    env = dict(os.environ)
    smtp = settings.smtp
    if settings.transport == "smtp" and smtp is not None and not env.get(smtp.password_env):
        from prefect.blocks.system import Secret

        try:
            env[smtp.password_env] = Secret.load(PASSWORD_BLOCK).get()
        except ValueError:  # no such block: transport_for then names the variable to set
            pass
    return env
