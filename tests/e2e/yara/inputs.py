# Generates the inputs of tests/e2e/diff_yara.sh into the directory argv[1]:
# text, UTF-16 (wide), xor-keyed, base64-encoded and binary samples that
# the rules of features.yar hit (and miss) in known places.
import base64, os, sys
d = sys.argv[1]
os.makedirs(d, exist_ok=True)
def w(n, b):
    with open(os.path.join(d, n), 'wb') as f:
        f.write(b)
w('text1', b'MZ\x90\x00hello world word words sword tab\there! line1\nline2 line1xline2 '
           b'cats dog 555-1234 oozed HELLLO worxd\n')
w('wide1', 'xx wide wider widewide '.encode('utf-16le') + b' wide WIDE hello' +
           'WiDe word'.encode('utf-16le'))
w('xor1', b'pad ' + bytes(c ^ 0x20 for c in b'secret message') + b' mid ' +
          bytes(c ^ 0x99 for c in b'secret message') + b' ' +
          bytes(c ^ 0x11 for c in 'xorwide'.encode('utf-16le')) + b' secret message')
std = b'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
cus = b'ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjihgfedcba9876543210+/'
w('b64', b'a ' + base64.b64encode(b'This program cannot be run') + b' b ' +
         base64.b64encode(b'xThis program cannot') + b'\n' +
         base64.b64encode(b'..base64 text here').decode().encode('utf-16le') + b' ' +
         base64.b64encode(b'base64 text here!!') + b' ' +
         base64.b64encode(b'xxcustom alpha').translate(bytes.maketrans(std, cus)))
w('bin1', bytes(range(256)) * 4 + b'MZ' + b'\x00' * 10 + b'PE\x00\x00 hello')
w('small1', b'x')
w('many_o', b'o' * 500 + b' hello world')
w('hexy', b'he1o hexxo hello h123o wor1a widea MZ\x90\x00\x00\x01\x02\x03\x04PE')
