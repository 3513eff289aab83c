"""The users service (:3001): accounts, sign-in, sessions, profiles and the signing key."""
