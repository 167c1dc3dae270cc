"""Statistics over plain numbers: no Flask, no database, so reports, CLI and API share them.

Every result is a frozen dataclass with `.as_dict()`; undefined figures are None, never NaN.
One module per family (descriptive, association, correlation, reliability, benchmark,
privacy); import from the module, so a caller that needs only the privacy rules does not
load scipy.
"""
