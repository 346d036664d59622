# The model, compile and fit lines of the IMDB word2vec tutorial, as it prints them; the lines
# before them bind the names they use (the vectors download is skipped: vectors of 300 values
# come from `embeddings load`).
max_vocab = 20000
model_path = path.join(snapshot_download('fse/word2vec-google-news-300'), 'word2vec-google-news-300.model')
wv = KeyedVectors.load(model_path)
embedding_matrix_shape = (max_vocab, wv.vector_size)
embedding_matrix = np.zeros(shape=embedding_matrix_shape)
max_seq = 284
num_classes = 2
set_random_seed(0)

model = Sequential([
    layers.Input(shape=(max_seq,)),
    layers.Embedding(
        weights=[embedding_matrix],
        input_dim=embedding_matrix_shape[0],
        output_dim=embedding_matrix_shape[1],
        trainable=False,
    ),
    layers.SpatialDropout1D(0.2),
    layers.Bidirectional(layers.GRU(128, dropout=0.3)),
    layers.Dropout(0.6),
    layers.Dense(num_classes, activation='softmax'),
])

display(model.summary())
from tensorflow.keras.optimizers import Adam
optimizer = Adam(learning_rate=0.001)
from tensorflow.keras.callbacks import EarlyStopping
earlystop = EarlyStopping(monitor='val_loss', patience=10, restore_best_weights=True)
from tensorflow import device
with device('/GPU'):
    model.compile(optimizer=optimizer, loss='sparse_categorical_crossentropy', metrics=['accuracy'])
    history = model.fit(x_train, y_train, epochs=50, batch_size=64, callbacks=[earlystop], validation_split=0.2) 
