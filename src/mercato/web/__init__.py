"""The web storefront's production build, served to browsers by `mercato up` on :3000."""
