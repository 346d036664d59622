# The model and compile lines of the LSTM article. The page lost its code's line breaks (each
# comment ran to the end of its line); here they are back, as in the article's notebook.
model = tf.keras.Sequential()
model.add( tf.keras.layers.Embedding( # The size of our vocabulary
    input_dim = 10000, # Dimensions for each word
    output_dim = 16, # Length of reviews
    input_length = 500 ) )
model.add( tf.keras.layers.Dropout( rate=0.25 ) )
model.add( tf.keras.layers.LSTM( units=32 ) )
model.add( tf.keras.layers.Dropout( rate=0.25 ) )
model.add( tf.keras.layers.Dense( units=1, activation='sigmoid' ) )
model.summary()
model.compile( loss=tf.keras.losses.binary_crossentropy, optimizer=tf.keras.optimizers.Adam(), metrics=['accuracy'] )
model.fit(x_train, y_train, epochs=2, batch_size=64, validation_split=0.2)
