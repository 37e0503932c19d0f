"""What engineers and staff run: the `bot` command, the process stack, evaluation and the bench."""
