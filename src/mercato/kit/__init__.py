"""The shared kernel: the only code services share. No domain code lives here."""
