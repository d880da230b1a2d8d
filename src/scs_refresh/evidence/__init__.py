"""The SCS evidence base: manifest, readers for real files, the tidy table, the digest and charts."""
