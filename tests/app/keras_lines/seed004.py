# The model, compile and fit lines of Chollet's chapter 6.2, as it prints them.
from keras.models import Sequential
from keras.layers import Embedding, SimpleRNN

model = Sequential()
model.add(Embedding(10000, 32))
model.add(SimpleRNN(32))
model.summary()

model = Sequential()
model.add(Embedding(10000, 32))
model.add(SimpleRNN(32, return_sequences=True))
model.summary()

model = Sequential()
model.add(Embedding(input_dim = 10000, 
                    output_dim = 32))
model.add(SimpleRNN(units = 32, 
                    return_sequences = True))
model.add(SimpleRNN(units = 32, 
                    return_sequences = True))
model.add(SimpleRNN(units = 32, 
                    return_sequences = True))
# The last layer returns only the last outputs
model.add(SimpleRNN(32))
model.summary()

max_features = 10000 
maxlen = 500  
batch_size = 32
from keras.layers import Dense

model = Sequential()
model.add(Embedding(input_dim = max_features, 
                    output_dim = 32))
model.add(SimpleRNN(units = 32))
model.add(Dense(units = 1, 
                activation='sigmoid'))

model.compile(optimizer = 'rmsprop', 
              loss = 'binary_crossentropy', 
              metrics = ['acc'])
history = model.fit(x = input_train, 
                    y = y_train,
                    epochs = 10,
                    batch_size = 128,
                    validation_split = 0.2)
from keras.layers import LSTM

model = Sequential()
model.add(Embedding(input_dim = max_features, 
                    output_dim = 32))
model.add(LSTM(units = 32))
model.add(Dense(units = 1, 
                activation = 'sigmoid'))

model.compile(optimizer = 'rmsprop',
              loss = 'binary_crossentropy',
              metrics = ['acc'])
history = model.fit(x = input_train, 
                    y = y_train,
                    epochs = 10,
                    batch_size = 128,
                    validation_split = 0.2)
