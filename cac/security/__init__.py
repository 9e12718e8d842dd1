"""What keeps personal data and the CAC safe: who may do what, sign-in, sessions, masking, uploads, erasure."""
