# The model, compile and fit lines of the SMS spam tutorial, as it prints them; the names they
# use are bound first (vocab_size is the vocabulary of the data loaded before).
max_sequence_length = 25
vocab_size = 8630
# Create the model using the Sequential API
embedding_size = 50
model = tf.keras.Sequential(
    [
        tf.keras.layers.Embedding(
            input_dim=vocab_size,
            output_dim=embedding_size,
            input_length=max_sequence_length,
        ),
        tf.keras.layers.SimpleRNN(units=10),
        tf.keras.layers.Dropout(0.5),
        tf.keras.layers.Dense(units=2, activation="softmax"),
    ]
)
model.summary()
# Compile the model
model.compile(
    optimizer=tf.keras.optimizers.RMSprop(learning_rate=0.0005),
    loss="sparse_categorical_crossentropy",
    metrics=["accuracy"],
)
# Train the model
epochs = 20
batch_size = 250

history = model.fit(
    x_train, y_train, epochs=epochs, batch_size=batch_size, validation_split=0.2
)
