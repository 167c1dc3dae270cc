"""What is asked and how it is scored: questionnaire definitions, answers, scoring.

Pure: plain Python over the definition files; no Flask, no database.
"""
