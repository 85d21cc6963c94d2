"""Operations: backup and restore, metrics, scheduling."""
