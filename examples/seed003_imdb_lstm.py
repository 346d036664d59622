# The code of the LSTM article (its cells, prose removed). The article's page lost the code's
# line breaks; they are back, as in its notebook. Run: RNNLAB_DATA=DIR rnnlab examples/seed003_imdb_lstm.py
import tensorflow as tf
(x_train, y_train), (x_test, y_test) = tf.keras.datasets.imdb.load_data(num_words=10000)
x_train = tf.keras.preprocessing.sequence.pad_sequences(x_train, maxlen=500)
x_test = tf.keras.preprocessing.sequence.pad_sequences(x_test, maxlen=500)

model = tf.keras.Sequential()
model.add( tf.keras.layers.Embedding( # The size of our vocabulary
    input_dim = 10000, # Dimensions for each word
    output_dim = 16, # Length of reviews
    input_length = 500 ) )
model.add( tf.keras.layers.Dropout( rate=0.25 ) )
model.add( tf.keras.layers.CuDNNLSTM( units=32 ) )
model.add( tf.keras.layers.Dropout( rate=0.25 ) )
model.add( tf.keras.layers.Dense( units=1, activation='sigmoid' ) )
model.summary()
model.compile( loss=tf.keras.losses.binary_crossentropy, optimizer=tf.keras.optimizers.Adam(), metrics=['accuracy'] )
history = model.fit(x_train, y_train, epochs=10, batch_size=64, validation_split=0.2)
score = model.evaluate(x_test, y_test)
print('Test accuracy:', score[1])
