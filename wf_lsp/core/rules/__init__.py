"""Rules: the registry (`rule`), one module per concern, fix plans and did-you-mean; `every` imports them in order."""
