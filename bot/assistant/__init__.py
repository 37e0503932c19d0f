"""What runs in the action server: staff content, the safety layers and the reply to one turn."""
