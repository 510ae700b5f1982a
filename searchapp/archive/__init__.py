"""What needs the whole archive: duplicate groups (``duplicates``) and quote groups (``quotes``)."""
