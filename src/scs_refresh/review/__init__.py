"""The review of partnerships under Breckland Council's Partnership Policy (seed 002).

- :mod:`.policy`: Appendix B criteria and Appendix C questions, transcribed from the policy;
- :mod:`.register`: the Partnership Register (Appendix A fields) from YAML or .xlsx;
- :mod:`.assess`: ratings criterion by criterion, overrides, exit and review flags;
- :mod:`.paper`: the Partnership review report for an LSP Board meeting.
"""
