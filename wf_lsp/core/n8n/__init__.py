"""The n8n dialect: detection, the node catalogue built from the user's n8n packages, and n8n's own rules."""
