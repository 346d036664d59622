# The layer, model, compile and fit lines of the Keras recurrent layers tutorial, as it prints
# them (the model lines are in its main(); the data comes from the commands before).
tf.keras.layers.LSTM(64, activation = "tanh", recurrent_activation = "sigmoid", 
                     return_sequences = False, return_state = False)
tf.keras.layers.GRU(64, activation = "tanh", recurrent_activation = "sigmoid", 
                    return_sequences = False, return_state = False)
tf.keras.layers.Bidirectional(tf.keras.layers.LSTM(64))
    model = tf.keras.Sequential([
        # embedding layer - converts integer indices to dense vectors
        tf.keras.layers.Embedding(input_dim=10000, output_dim=128),

        tf.keras.layers.Bidirectional(tf.keras.layers.LSTM(64)),

        tf.keras.layers.Flatten(),
        
        tf.keras.layers.Dense(64, activation="relu"),
        tf.keras.layers.Dropout(0.3),
        
        # output layer for binary classification (positive/negative sentiment)
        tf.keras.layers.Dense(1, activation="sigmoid")
    ])
    model.summary()

    # compile the model
    model.compile(
        optimizer="adam",
        loss="binary_crossentropy",
        metrics=["accuracy", "precision", "recall"]
    )

    # train the model
    model.fit(
        x_train, y_train,
        epochs=5,
        batch_size=128,
        validation_split=0.2
    )

    # evaluate the model on test data
    print("********** model evaluation *******")
    model.evaluate(x_test, y_test)
