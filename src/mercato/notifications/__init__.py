"""The notifications service (:3005): the emails, SMS and push messages the shop sends."""
