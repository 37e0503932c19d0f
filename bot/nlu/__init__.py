"""What runs inside Rasa (the featurizer and the server launcher), and training its model."""
