"""The chaos harness: real sandboxd clusters under faults, a recorded history, and checkers."""
