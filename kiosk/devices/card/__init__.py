"""Thai national ID card over PC/SC."""
