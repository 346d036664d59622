# Keras recurrent layers tutorial, case study (its cells, prose removed).
# Run: RNNLAB_DATA=DIR rnnlab examples/seed001_imdb_bilstm.py
import tensorflow as tf

def main():
    # load the IMDB dataset (movie reviews with sentiment labels)
    # this dataset contains 50,000 movie reviews split for training and testing
    (x_train, y_train), (x_test, y_test) = tf.keras.datasets.imdb.load_data(num_words = 10000)

    # Convert sequences to same length through padding
    max_length = 256
    x_train = tf.keras.preprocessing.sequence.pad_sequences(x_train, maxlen = max_length)
    x_test = tf.keras.preprocessing.sequence.pad_sequences(x_test, maxlen = max_length)

    # Build a simple model for text classification
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

main()
