"""Bidirectional LSTM on IMDB, built with Keras's functional API.

The structure of keras.io's examples/nlp/bidirectional_lstm_imdb.py (written again for rnnlab, the
same statements): an input of any length, an Embedding, two stacked Bidirectional LSTMs and a
sigmoid, trained for 2 epochs and scored on the 25,000 test reviews after each.
"""

import numpy as np
import keras
from keras import layers

max_features = 20000  # the 20,000 most frequent words
maxlen = 200  # the first 200 words of each review

# integer word ids, sequences of any length
inputs = keras.Input(shape=(None,), dtype="int32")
# each id becomes a vector of 128 numbers
x = layers.Embedding(max_features, 128)(inputs)
# two Bidirectional LSTMs, the first returning its whole sequence
x = layers.Bidirectional(layers.LSTM(64, return_sequences=True))(x)
x = layers.Bidirectional(layers.LSTM(64))(x)
# the probability that the review is positive
outputs = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs)
model.summary()

(x_train, y_train), (x_val, y_val) = keras.datasets.imdb.load_data(num_words=max_features)
print(len(x_train), "Training sequences")
print(len(x_val), "Validation sequences")
# longer reviews are cut and shorter ones padded with zeros, both at the front
x_train = keras.utils.pad_sequences(x_train, maxlen=maxlen)
x_val = keras.utils.pad_sequences(x_val, maxlen=maxlen)

model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=32, epochs=2, validation_data=(x_val, y_val))
