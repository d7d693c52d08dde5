// Placeholder: replaced by the simulator CLI (issue #4).
print("0 passed, 0 failed")
