"""The ground floor: the error types, the settings object, the project's layout and languages.

May import: nothing of `kg`. Everything else may import it.
"""
