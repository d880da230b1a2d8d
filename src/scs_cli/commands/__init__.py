"""The ``scs`` sub-commands, one module per part of the process (``scs <command>`` is in the module named below).

timetable    check, timetable, plan
papers       papers, review, scs-draft
cycle        run STAGE, simulate, demo
approval     decision, decisions, replan
daily        tick, serve (the daily tick, once now or on a schedule), pending (what it held for the officer)
partners     questionnaire send/import/status/chase, interview request/record
evidence     evidence check/collate
performance  performance (the scorecard), performance record
new_cycle    new-cycle (the next cycle's config folder from this one)
mail         mail status/confirm/resend (the send ledger: messages in doubt, refused, waiting)
comments     comments import/list/respond (partners' comments on the draft Strategy, "you said, we did")

:mod:`scs_cli.main` imports only the module of the command a run names (every module for ``scs --help``
or a name it does not know): a new command goes in its ``COMMANDS`` too. A command imports what it
needs from the domain (and Prefect, through flows/) inside itself, since a module's other commands are
imported with it: much of the domain brings pandas or python-docx, and Prefect takes seconds, yet
``scs timetable`` should answer at once.
"""
